import type { SharedResources } from "./types.ts";

interface Entry {
  value: { close(): Promise<void> | void };
  refs: number;
}

/** Ref-counted pool: the first acquire opens, the last release closes. */
export function createSharedResources(): SharedResources & { closeAll(): Promise<void> } {
  const entries = new Map<string, Entry>();
  return {
    acquire(key, open) {
      let entry = entries.get(key);
      if (!entry) {
        entry = { value: open(), refs: 0 };
        entries.set(key, entry);
      }
      entry.refs++;
      const held = entry;
      let released = false;
      return {
        value: held.value as never,
        async release() {
          if (released) return;
          released = true;
          held.refs--;
          if (held.refs === 0 && entries.get(key) === held) {
            entries.delete(key);
            await held.value.close();
          }
        },
      };
    },
    async closeAll() {
      const all = [...entries.values()];
      entries.clear();
      await Promise.allSettled(all.map((e) => e.value.close()));
    },
  };
}
