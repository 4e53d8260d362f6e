/**
 * The API's refusals, shared by every route plugin (tickets, records, reports, the console) so
 * that a client sees one shape of answer whichever capability it asked.
 */
import type { FastifyReply } from "fastify";
import type { z } from "zod";

/** Answers 401 with the Bearer challenge; returns the reply (for `return askForToken(reply)`). */
export function askForToken(reply: FastifyReply): FastifyReply {
  return reply
    .code(401)
    .header("www-authenticate", 'Bearer realm="emcomm"')
    .send({ error: "a bearer token is required" });
}

/**
 * Validates a request's body or query: the parsed value, or undefined after answering 400 with
 * every issue as "key.path: message" ("(body)" for the value as a whole).
 */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, reply: FastifyReply): T | undefined {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  reply.code(400).send({
    error: "invalid request",
    issues: r.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`),
  });
  return undefined;
}
