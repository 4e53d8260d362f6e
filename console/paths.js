// Every API address the console uses, in one place (the ticket API of src/tickets, the health
// ledger, and the console's own /api/v1/events and /api/v1/me).
export const paths = {
  me: "/api/v1/me",
  events: "/api/v1/events",
  openTickets: "/api/v1/tickets?state=open",
  closedSince: (from) => `/api/v1/tickets?state=closed&from=${Math.floor(from / 60_000) * 60_000}`,
  ticket: (id) => `/api/v1/tickets/${encodeURIComponent(id)}`,
  act: (id, action) => `/api/v1/tickets/${encodeURIComponent(id)}/${action}`,
  newTicket: "/api/v1/tickets",
  meta: "/api/v1/console",
  states: "/api/v1/states",
  sites: "/api/v1/sites",
  declareSite: (site, action) => `/api/v1/sites/${encodeURIComponent(site)}/${action}`,
  deviceState: (device) => `/api/v1/states/${encodeURIComponent(device)}`,
  transitions: (device, from) =>
    `/api/v1/transitions?device=${encodeURIComponent(device)}&from=${encodeURIComponent(from)}`,
  windows: "/api/v1/maintenance",
  cancelWindow: (id) => `/api/v1/maintenance/${encodeURIComponent(id)}/cancel`,
  approveWindow: (id) => `/api/v1/maintenance/${encodeURIComponent(id)}/approve`,
  availability: (month) => `/api/v1/availability?month=${month}`,
  ticketsReport: (month) => `/api/v1/tickets/report?month=${month}`,
  // The scoring export (src/report): the month's score sheet as JSON (live figures), xlsx and html.
  reportJson: (month) => `/api/v1/reports/${month}.json?live=1`,
  scoreSheet: (month) => `/api/v1/reports/${month}.xlsx`,
  monthReport: (month) => `/api/v1/reports/${month}.html`,
  faultsCsv: (month) => `/api/v1/reports/${month}.csv?table=faults`,
  // The maintenance records (src/records): inspections and their signatures.
  records: (kind, month) => `/api/v1/records?kind=${kind}&period=${month}`,
  record: (id) => `/api/v1/records/${encodeURIComponent(id)}`,
  createRecord: (kind) => `/api/v1/records/${kind}`,
  recordStep: (id, step) => `/api/v1/records/${encodeURIComponent(id)}/${step}`,
};
