/** HTTP device models by inventory profile name. */
import type { HttpProfile } from "../profile.ts";
import { huawei5gCpe } from "./huawei-5g-cpe.ts";
import { kaStation } from "./ka-station.ts";
import { videoTerminal } from "./video-terminal.ts";

export const httpProfiles = {
  "video-terminal": videoTerminal,
  "huawei-5g-cpe": huawei5gCpe,
  "ka-station": kaStation,
} as const satisfies Record<string, HttpProfile>;

export type HttpProfileName = keyof typeof httpProfiles;
export const httpProfileNames = Object.keys(httpProfiles) as [HttpProfileName, ...HttpProfileName[]];
