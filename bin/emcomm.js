#!/usr/bin/env -S node --max-semi-space-size=8
// The `emcomm` command: runs the TypeScript sources through tsx's loader (no build step). The flags
// on the first line are scripts/node-flags.mjs's (read there why); `node bin/emcomm.js` skips them.
import { register } from "tsx/esm/api";

register();
await import("../src/cli.ts");
