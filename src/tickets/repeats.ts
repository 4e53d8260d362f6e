/**
 * The repeat-fault rule (重复故障), in one place: a fault is a repeat of the previous fault of the same
 * device and fault code when it starts at most `windowMs` after that one was repaired. The ticket
 * engine applies it when it opens a ticket (window `sla.repeatWindow`) and links the earlier ticket;
 * the report applies it to replayed tickets that carry no link (src/report/score.ts). Pure.
 */
export function isRepeat(previousRepairedAt: number | null, faultStart: number, windowMs: number): boolean {
  return (
    previousRepairedAt !== null &&
    previousRepairedAt <= faultStart &&
    faultStart - previousRepairedAt <= windowMs
  );
}
