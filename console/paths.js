// Every API address the console uses, in one place (the ticket API of src/tickets, the health
// ledger, and the console's own /api/v1/events and /api/v1/me).
export const paths = {
  me: "/api/v1/me",
  events: "/api/v1/events",
  openTickets: "/api/v1/tickets?state=open",
  ticket: (id) => `/api/v1/tickets/${encodeURIComponent(id)}`,
  ticketEvents: (id) => `/api/v1/tickets/${encodeURIComponent(id)}/events`,
  act: (id, action) => `/api/v1/tickets/${encodeURIComponent(id)}/${action}`,
  newTicket: "/api/v1/tickets",
  devices: "/api/v1/devices",
  health: "/api/v1/health",
  transitions: (device, from) =>
    `/api/v1/health/${encodeURIComponent(device)}/transitions?from=${encodeURIComponent(from)}`,
  windows: "/api/v1/windows",
  approveWindow: (id) => `/api/v1/windows/${encodeURIComponent(id)}/approve`,
  availability: (month) => `/api/v1/availability?month=${month}`,
  scoreSheet: (month) => `/api/v1/reports/${month}/score-sheet.csv`,
  monthReport: (month) => `/api/v1/reports/${month}`,
};
