/** Holds this process's event loop for `ms`: a real stall, as a long synchronous task makes one. */
export function busy(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // nothing: the loop runs nothing else meanwhile
  }
}
