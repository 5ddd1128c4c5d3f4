/**
 * Shrinks a failing input while `fails` still holds: drop chunks (halves,
 * quarters, ... single bytes), then zero what is left chunk by chunk. A
 * bounded number of attempts keeps it from running away on large inputs.
 */
export function minimize(input: Uint8Array, fails: (bytes: Uint8Array) => boolean, maxAttempts = 4000): Uint8Array {
  let best = input;
  let attempts = 0;
  const tryIt = (candidate: Uint8Array): boolean => {
    attempts++;
    if (!fails(candidate)) return false;
    best = candidate;
    return true;
  };
  for (let chunk = best.length >> 1; chunk >= 1 && attempts < maxAttempts; chunk >>= 1) {
    for (let at = 0; at + chunk <= best.length && attempts < maxAttempts; ) {
      const candidate = new Uint8Array(best.length - chunk);
      candidate.set(best.subarray(0, at));
      candidate.set(best.subarray(at + chunk), at);
      if (!tryIt(candidate)) at += chunk;
    }
  }
  for (let chunk = Math.max(1, best.length >> 3); chunk >= 1 && attempts < maxAttempts; chunk >>= 1) {
    for (let at = 0; at < best.length && attempts < maxAttempts; at += chunk) {
      const end = Math.min(best.length, at + chunk);
      if (best.subarray(at, end).every((b) => b === 0)) continue;
      const candidate = best.slice();
      candidate.fill(0, at, end);
      tryIt(candidate);
    }
  }
  return best;
}
