/**
 * Tickets in the store: every field reads back as it was written, whichever reader reads it.
 */
import { describe, expect, it } from "vitest";
import {
  getTicket,
  insertTicket,
  lastRepaired,
  listTickets,
  openTicketFor,
  openTickets,
  readTickets,
  type Ticket,
  updateTicket,
} from "../../src/tickets/store.ts";
import { tempStores } from "../support/temp-store.ts";

const store = tempStores("tickets-");

// Every field set and no two fields alike, so a field read into another's place shows.
const stored: Omit<Ticket, "id"> = {
  device: "sw-1",
  site: "fixed",
  code: "unreachable",
  level: "major",
  source: "manual",
  state: "cleared",
  reportedAt: 1_000,
  faultStart: 900,
  acceptedAt: 1_100,
  arrivedAt: 1_200,
  clearedAt: 1_300,
  repairedAt: 1_250,
  restoredAt: 1_240,
  closedAt: 1_400,
  repeatOf: null,
  flapping: true,
  rejections: 2,
  symptom: "no answer",
  faultType: "link",
  cause: "fibre cut",
  handling: "spliced",
  responsibility: "carrier",
  lessons: "spare fibre",
  handler: "li.engineer",
  openedBy: "monitor",
};

describe("ticket store", () => {
  it("reads every field back as written, through each reader", () => {
    const { db } = store();
    const first = insertTicket(db, stored);
    const second = insertTicket(db, { ...stored, code: "power", repeatOf: first.id, flapping: false });
    expect(first).toEqual({ ...stored, id: first.id });
    expect(second).toMatchObject({ repeatOf: first.id, flapping: false, code: "power" });
    expect(getTicket(db, first.id)).toEqual(first);
    expect(openTicketFor(db, "sw-1", "power")).toEqual(second);
    expect(openTickets(db)).toEqual([first, second]);
    expect(listTickets(db, { device: "sw-1", limit: 1 })).toEqual([first]);
    expect(readTickets(db, "WHERE id = ?", second.id)).toEqual([second]);
    const closed = updateTicket(db, second.id, { state: "closed", closedAt: 1_500, flapping: true });
    expect(closed).toEqual({ ...second, state: "closed", closedAt: 1_500, flapping: true });
    expect(lastRepaired(db, "sw-1", "power")).toEqual(closed);
    expect(getTicket(db, 999)).toBeUndefined();
  });
});
