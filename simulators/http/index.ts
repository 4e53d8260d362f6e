/**
 * http simulator: one loopback HTTP server per HTTP device (video terminals with Digest auth, the
 * 5G CPE's HiLink API with its session token and login (hilink.ts), the Ka station with a bearer
 * token).
 * Common faults: `silent` (requests hang), `slow` (answers after 3 s), `garbage` (bytes that are
 * not HTTP), `http-500` (503 Service Unavailable), `bad-body` (200 with a truncated document);
 * plus the model's own (models.ts).
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { commonFaults, FaultBook, type SimulatorDefinition } from "../registry.ts";
import { HilinkSim } from "./hilink.ts";
import { cpeModel, type HttpModel, kaModel, videoTerminalModel } from "./models.ts";

const httpFaults = [...commonFaults, "http-500", "bad-body"] as const;
/** Lab credentials the simulators accept (the demo's endpoint() hands them to the driver). */
export const simCredentials = {
  username: "admin",
  password: "emcomm-demo",
  token: "emcomm-demo-token",
} as const;
const REALM = "emcomm-sim";
const md5 = (s: string) => createHash("md5").update(s).digest("hex");

function modelFor(profile: string | undefined): HttpModel | undefined {
  if (profile === "video-terminal") return videoTerminalModel();
  if (profile === "huawei-5g-cpe") return cpeModel();
  if (profile === "ka-station") return kaModel();
  return undefined;
}

/** Checks a Digest Authorization header (RFC 7616, MD5, qop=auth) against the lab credentials. */
function digestOk(header: string | undefined, method: string, nonces: Set<string>): boolean {
  if (!header?.startsWith("Digest ")) return false;
  const p: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) p[m[1]!] = m[2] ?? m[3] ?? "";
  if (p.username !== simCredentials.username || !p.nonce || !nonces.has(p.nonce)) return false;
  const ha1 = md5(`${p.username}:${REALM}:${simCredentials.password}`);
  const ha2 = md5(`${method}:${p.uri}`);
  return p.response === md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`);
}

export const httpSimulator: SimulatorDefinition = {
  protocol: "http",
  async start(devices, { clock }) {
    const known = new Set<string>(httpFaults);
    const models = new Map<string, HttpModel>();
    for (const d of devices) {
      const model = modelFor(d.driver.profile);
      if (!model) continue;
      models.set(d.id, model);
      for (const f of model.faults) known.add(f);
    }
    const book = new FaultBook([...known]);
    const served = new Map<
      string,
      { server: Server; port: number; model: HttpModel; sockets: Set<Socket>; hilink?: HilinkSim }
    >();
    for (const d of devices) {
      const model = models.get(d.id);
      if (!model) continue;
      const has = (f: string) => book.has(d.id, f);
      const nonces = new Set<string>();
      const hilink = d.driver.profile === "huawei-5g-cpe" ? new HilinkSim(simCredentials) : undefined;
      const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
        const path = (req.url ?? "/").split("?")[0]!;
        if (has("silent")) return; // the request hangs until the client gives up
        if (has("garbage")) {
          req.socket.end("\x00\x17garbage, not HTTP\r\n\r\n");
          return;
        }
        const send = (code: number, type: string, body: string, headers: Record<string, string> = {}) => {
          const write = () => {
            if (res.destroyed) return;
            res.writeHead(code, { "content-type": type, ...headers });
            res.end(body);
          };
          if (has("slow")) clock.setTimer(3000, write);
          else write();
        };
        // Auth per profile: Digest (terminals), bearer (Ka), HiLink session (CPE).
        if (
          d.driver.profile === "video-terminal" &&
          !digestOk(req.headers.authorization, req.method ?? "GET", nonces)
        ) {
          const nonce = randomBytes(12).toString("hex");
          nonces.add(nonce);
          if (nonces.size > 100) nonces.delete(nonces.values().next().value!);
          return send(401, "text/plain", "authentication required", {
            "www-authenticate": `Digest realm="${REALM}", qop="auth", nonce="${nonce}", algorithm=MD5`,
          });
        }
        if (
          d.driver.profile === "ka-station" &&
          req.headers.authorization !== `Bearer ${simCredentials.token}`
        )
          return send(401, "application/json", '{"error":"unauthorized"}');
        if (hilink) {
          const answer = hilink.handle(path, req.headers, body);
          if (answer) return send(answer.code, answer.type, answer.body, answer.headers);
        }
        if (has("http-500")) return send(503, "text/plain", "service unavailable");
        const answer = model.answer(path, clock.now(), has);
        if (!answer) return send(404, "text/plain", "not found");
        send(
          200,
          answer.type,
          has("bad-body") ? answer.body.slice(0, Math.floor(answer.body.length / 2)) : answer.body,
        );
      };
      const sockets = new Set<Socket>();
      const server = createServer((req, res) => {
        let body = "";
        req.setEncoding("utf8");
        req.on("data", (chunk: string) => {
          if (body.length < 65_536) body += chunk;
        });
        req.on("end", () => handle(req, res, body));
      });
      server.on("connection", (s) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
      });
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
      });
      const a = server.address();
      served.set(d.id, { server, port: typeof a === "object" && a ? a.port : 0, model, sockets, hilink });
    }
    return {
      protocol: "http",
      devices: () => [...served.keys()],
      endpoint(id) {
        const s = served.get(id)!;
        const profile = devices.find((d) => d.id === id)?.driver.profile;
        const auth =
          profile === "video-terminal"
            ? { type: "digest", username: simCredentials.username, password: simCredentials.password }
            : profile === "ka-station"
              ? { type: "bearer", token: simCredentials.token }
              : { type: "hilink", username: simCredentials.username, password: simCredentials.password };
        return { url: `http://127.0.0.1:${s.port}`, ...(auth ? { auth } : {}) };
      },
      faults: () => [...known],
      inject(id, fault) {
        const s = served.get(id);
        if (!s || !(httpFaults as readonly string[]).concat(s.model.faults).includes(fault)) return false;
        // A CPE reboot is an event, not a state: its sessions are gone, clients must log in again.
        if (fault === "reboot") return s.hilink?.reset() === undefined && s.hilink !== undefined;
        return book.inject(id, fault);
      },
      clear: (id, fault) => book.clear(id, fault),
      active: (id) => book.list(id),
      async stop() {
        await Promise.all(
          [...served.values()].map(
            (s) =>
              new Promise<void>((resolve) => {
                for (const sock of s.sockets) sock.destroy();
                s.server.close(() => resolve());
              }),
          ),
        );
      },
    };
  },
};
