// Worker entry: workers do not inherit the parent's TypeScript loader, so register it before loading the TS worker.
import { register } from "tsx/esm/api";
register();
await import("./worker.ts");
