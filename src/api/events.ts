/**
 * Forwards what the health and ticket engines decide to the event sinks (InfluxDB annotations,
 * MQTT for the city's dispatch platform): state changes, ticket events, and SLA clock warnings
 * and breaches. Called once by startDaemon; the sinks commit each event to the outbox at once.
 */
import type { EventSink } from "../sinks/index.ts";
import { ticketEventKinds } from "../sinks/line-protocol.ts";
import type { Sla } from "./index.ts";

const forwarded = new Set<string>(ticketEventKinds);

export function forwardSlaEvents(sla: Sla, events: EventSink, now: () => number): void {
  sla.health.onTransition((t, health) =>
    events.stateChanged({
      deviceId: t.device,
      site: t.site,
      kind: health.kind,
      state: t.state,
      previous: t.previous ?? "",
      cause: t.code ?? t.cause,
      at: t.at,
    }),
  );
  sla.tickets.onEvent((e, ticket) => {
    const base = {
      ticketId: String(ticket.id),
      deviceId: ticket.device ?? "",
      site: ticket.site ?? "",
      level: ticket.level,
    };
    if (forwarded.has(e.event))
      events.ticketEvent({
        ...base,
        event: e.event as (typeof ticketEventKinds)[number],
        state: ticket.state,
        actor: e.actor,
        at: e.at,
      });
    const clock = e.detail?.clock;
    const dueAt = e.detail?.deadline;
    if ((e.event === "warned" || e.event === "breached") && typeof dueAt === "number")
      events.slaWarning({
        ...base,
        clock: clock as "respond" | "onsite" | "repair",
        remainingSeconds: Math.round((dueAt - now()) / 1000),
        dueAt,
        at: e.at,
      });
  });
}
