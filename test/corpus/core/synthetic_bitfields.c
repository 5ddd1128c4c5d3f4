/* Signed and unsigned bitfields of widths 1 to 63 in 8-, 16-, 32- and
 * 64-bit storage units, read the relocatable way. In target v2 each one has
 * moved, changed width or storage unit, flipped signedness, or (u5) become
 * a plain byte. Plain members separate the storage units: clang only
 * accepts bitfield relocations whose storage load is aligned to its size. */
#include "core.h"

struct btfkit_bits {
	u8 u1: 1, u2: 2, u5: 5;
	u8 sep0;
	signed char s3: 3, s4: 4;
	u8 sep1;
	u16 u9: 9, u7: 7;
	u16 sep2;
	short s15: 15;
	u16 sep3;
	u32 u17: 17, u15: 15;
	u32 sep4;
	int s31: 31;
	u32 sep5;
	u64 u33: 33, u31: 31;
	u64 sep6;
	long long s48: 48;
	u64 sep7;
	u64 u63: 63;
	u32 plain;
} __pai;

SEC("tp/bits/small")
int bits_small(void *ctx)
{
	struct btfkit_bits *b = ctx;

	return (int)(read_bitfield(b, u1) + read_bitfield(b, u2) + read_bitfield(b, u5) + read_bitfield(b, s3) +
		     read_bitfield(b, s4) + read_bitfield(b, u9) + read_bitfield(b, u7) + read_bitfield(b, s15));
}

SEC("tp/bits/large")
int bits_large(void *ctx)
{
	struct btfkit_bits *b = ctx;

	return (int)(read_bitfield(b, u17) + read_bitfield(b, u15) + read_bitfield(b, s31) + read_bitfield(b, u33) +
		     read_bitfield(b, u31) + read_bitfield(b, s48) + read_bitfield(b, u63)) + b->plain;
}

LICENSE_GPL;
