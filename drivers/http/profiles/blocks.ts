/** Shared pieces of HTTP device models (metric and rule constructors are Modbus's, reused). */
export { counter, gauge, rule } from "../../modbus/profiles/blocks.ts";
