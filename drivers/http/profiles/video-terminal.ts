/**
 * Video-conference terminal (Yealink VC880/VC210, Xylink AE600) over an HTTP status API.
 * ASSUMED API: the public Yealink control API is ASCII over TCP 6024 (device-polling.md §9) and
 * its reply grammar is not public; the inventory reaches these terminals over HTTP, so this
 * profile reads a JSON status document at /api/status:
 *   { "sip": { "registered": true }, "call": { "active": 0 },
 *     "devices": { "camera": { "present": true }, "microphone": { "present": true } } }
 * Verify against the terminal's web API (or write a tcp-6024 profile) before relying on it.
 */

import { gauge, rule } from "../../shared/model.ts";
import type { HttpProfile } from "../profile.ts";

export const videoTerminal: HttpProfile = {
  endpoints: [
    {
      path: "/api/status",
      format: "json",
      fields: [
        { metric: "vc_registered", path: "sip.registered" },
        { metric: "vc_in_call", path: "call.active" },
        { metric: "vc_camera_present", path: "devices.camera.present" },
        { metric: "vc_microphone_present", path: "devices.microphone.present" },
      ],
    },
  ],
  metrics: [
    gauge("vc_registered", "bool", "1 while the terminal is registered to its call server (SIP/H.323)."),
    gauge("vc_in_call", "count", "Calls in progress."),
    gauge("vc_camera_present", "bool", "1 while the terminal sees its camera."),
    gauge("vc_microphone_present", "bool", "1 while the terminal sees its microphone."),
  ],
  rules: [
    rule(
      "vc_unregistered",
      "degraded",
      "vc_registered",
      "==",
      0,
      "视频终端未注册",
      "terminal not registered",
    ),
    rule("vc_no_camera", "degraded", "vc_camera_present", "==", 0, "摄像机未连接", "camera missing"),
    rule(
      "vc_no_microphone",
      "degraded",
      "vc_microphone_present",
      "==",
      0,
      "麦克风未连接",
      "microphone missing",
    ),
  ],
  source: "ASSUMED JSON status API (Yealink's public control API is TCP 6024 ASCII)",
};
