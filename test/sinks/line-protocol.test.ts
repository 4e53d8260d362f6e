import { describe, expect, it } from "vitest";
import { PollError } from "../../src/core/errors.ts";
import type { PollOutcome } from "../../src/core/outcome.ts";
import type { Sample } from "../../src/core/types.ts";
import {
  encodeOutcome,
  encodeOutcomeBody,
  encodeOutcomeBytes,
  encodePoint,
  encodePoints,
  escapeMeasurement,
  escapeString,
  escapeTag,
  formatField,
  measurementOf,
  outcomePoints,
  type Point,
  stateChangePoint,
  ticketEventPoint,
} from "../../src/sinks/line-protocol.ts";

describe("escaping", () => {
  it.each([
    ["plain", "plain"],
    ["with space", "with\\ space"],
    ["a,b", "a\\,b"],
    ["a=b", "a=b"],
    ["line\nbreak", "line\\nbreak"],
    ["tab\there", "tab\\there"],
    ["trailing\\", "trailing"],
    ["mid\\dle", "mid\\dle"],
  ])("measurement %j → %j", (input, expected) => {
    expect(escapeMeasurement(input)).toBe(expected);
  });

  it.each([
    ["GigabitEthernet1/0/1", "GigabitEthernet1/0/1"],
    ["Gi 1/0/1", "Gi\\ 1/0/1"],
    ["a,b=c", "a\\,b\\=c"],
    ["crlf\r\n", "crlf\\r\\n"],
    ["end\\\\", "end"],
    ["指挥车", "指挥车"],
  ])("tag %j → %j", (input, expected) => {
    expect(escapeTag(input)).toBe(expected);
  });

  it.each([
    ['say "hi"', '"say \\"hi\\""'],
    ["back\\slash", '"back\\\\slash"'],
    ["multi\nline", '"multi\nline"'],
    ["", '""'],
  ])("string field %j → %s", (input, expected) => {
    expect(escapeString(input)).toBe(expected);
  });
});

describe("field values", () => {
  it.each([
    [1.5, "1.5"],
    [0, "0"],
    [-0, "0"],
    [-12, "-12"],
    [1e21, "1e+21"],
    [1e-7, "1e-7"],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
    [Number.NEGATIVE_INFINITY, undefined],
    [{ int: 1 }, "1i"],
    [{ int: -3 }, "-3i"],
    [{ int: 2 ** 60 }, undefined],
    [true, "true"],
    [false, "false"],
    ["down", '"down"'],
  ] as const)("%j → %j", (input, expected) => {
    expect(formatField(input as never)).toBe(expected);
  });
});

describe("encodePoint", () => {
  const base: Point = {
    measurement: "modem",
    tags: {},
    fields: { modem_ebno_db: 7.25 },
    time: 1764547200123,
  };
  it.each<[string, Point, string | undefined]>([
    ["minimal", base, "modem modem_ebno_db=7.25 1764547200123"],
    [
      "tags sorted, empty and undefined left out",
      { ...base, tags: { site: "vehicle", device: "vehicle-modem", empty: "", none: undefined } },
      "modem,device=vehicle-modem,site=vehicle modem_ebno_db=7.25 1764547200123",
    ],
    [
      "escaped tag key and value",
      { ...base, tags: { "if name": "Gi 1/0/1,x=y" } },
      "modem,if\\ name=Gi\\ 1/0/1\\,x\\=y modem_ebno_db=7.25 1764547200123",
    ],
    [
      "mixed field types in order",
      {
        measurement: "poll",
        tags: {},
        fields: { up: { int: 0 }, duration_seconds: 0.25, error_kind: "timeout" },
        time: 5,
      },
      'poll up=0i,duration_seconds=0.25,error_kind="timeout" 5',
    ],
    ["non-finite field left out", { ...base, fields: { a: Number.NaN, b: 2 } }, "modem b=2 1764547200123"],
    ["no writable field → no line", { ...base, fields: { a: Number.NaN } }, undefined],
    ["empty measurement → no line", { ...base, measurement: "\\" }, undefined],
    ["fractional time truncated", { ...base, time: 10.9 }, "modem modem_ebno_db=7.25 10"],
  ])("%s", (_name, point, expected) => {
    expect(encodePoint(point)).toBe(expected);
  });

  it.each([
    ["ms", "1764547200123"],
    ["us", "1764547200123000"],
    ["ns", "1764547200123000000"],
  ] as const)("precision %s writes the timestamp as %s", (precision, ts) => {
    expect(encodePoint(base, precision)).toBe(`modem modem_ebno_db=7.25 ${ts}`);
  });

  it("counts points without a writable field", () => {
    const r = encodePoints([base, { ...base, fields: { x: Number.NaN } }]);
    expect(r.lines).toHaveLength(1);
    expect(r.skipped).toBe(1);
  });
});

describe("schema", () => {
  it.each([
    ["modem_ebno_db", "modem"],
    ["if_in_bits_per_second", "if"],
    ["system_uptime_seconds", "system"],
    ["tcp", "tcp"],
    ["_odd", "_odd"],
  ])("measurement of %s is %s", (metric, expected) => {
    expect(measurementOf(metric)).toBe(expected);
  });

  const device = { site: "vehicle", kind: "switch" };

  it("one poll line and one line per measurement and label set, at startedAt", () => {
    const outcome: PollOutcome = {
      deviceId: "vehicle-switch",
      trigger: "schedule",
      startedAt: 1_000_000,
      finishedAt: 1_000_250,
      samples: [
        { metric: "if_oper_up", value: 1, labels: { ifname: "Gi1/0/1" } },
        { metric: "if_in_bits_per_second", value: 1200, labels: { ifname: "Gi1/0/1" } },
        { metric: "if_oper_up", value: 0, labels: { ifname: "Gi1/0/2" } },
        { metric: "system_uptime_seconds", value: 3600 },
        { metric: "cpu_usage_percent", value: 12, labels: { entity: "slot 1", device: "spoof" } },
      ],
    };
    const { lines } = encodePoints(outcomePoints(outcome, device));
    expect(lines).toEqual([
      "poll,device=vehicle-switch,kind=switch,site=vehicle up=1i,duration_seconds=0.25 1000000",
      "if,device=vehicle-switch,ifname=Gi1/0/1,kind=switch,site=vehicle if_oper_up=1,if_in_bits_per_second=1200 1000000",
      "if,device=vehicle-switch,ifname=Gi1/0/2,kind=switch,site=vehicle if_oper_up=0 1000000",
      "system,device=vehicle-switch,kind=switch,site=vehicle system_uptime_seconds=3600 1000000",
      "cpu,device=vehicle-switch,entity=slot\\ 1,kind=switch,site=vehicle cpu_usage_percent=12 1000000",
    ]);
  });

  it("a failed poll writes up=0 and the error kind only", () => {
    const outcome: PollOutcome = {
      deviceId: "d1",
      trigger: "schedule",
      startedAt: 42,
      finishedAt: 5042,
      samples: [],
      error: new PollError("timeout", "no answer in 5 s"),
    };
    const { lines } = encodePoints(outcomePoints(outcome, device));
    expect(lines).toEqual([
      'poll,device=d1,kind=switch,site=vehicle up=0i,duration_seconds=5,error_kind="timeout" 42',
    ]);
  });

  it("streamed data has no duration", () => {
    const outcome: PollOutcome = {
      deviceId: "bd1",
      trigger: "stream",
      startedAt: 7,
      finishedAt: 7,
      samples: [{ metric: "beidou_fix", value: 1 }],
    };
    expect(encodePoints(outcomePoints(outcome, device)).lines[0]).toBe(
      "poll,device=bd1,kind=switch,site=vehicle up=1i 7",
    );
  });

  it("state changes and ticket events", () => {
    expect(
      encodePoint(
        stateChangePoint({
          deviceId: "vehicle-modem",
          site: "vehicle",
          kind: "satellite-modem",
          state: "down",
          previous: "up",
          cause: 'rx_unlock "carrier"',
          at: 99,
        }),
      ),
    ).toBe(
      'device_state,device=vehicle-modem,kind=satellite-modem,site=vehicle state="down",previous="up",cause="rx_unlock \\"carrier\\"" 99',
    );
    expect(
      encodePoint(
        ticketEventPoint({
          ticketId: "T-2026-0001",
          deviceId: "vehicle-modem",
          site: "vehicle",
          level: "major",
          event: "opened",
          state: "open",
          actor: "monitor",
          at: 100,
        }),
      ),
    ).toBe(
      'ticket_event,device=vehicle-modem,event=opened,level=major,site=vehicle ticket="T-2026-0001",state="open",actor="monitor" 100',
    );
  });
});

describe("encodeOutcome", () => {
  const device = { site: "vehicle", kind: "switch" };
  const row1 = { ifname: "Gi1/0/1" };
  const row2 = { ifname: "Gi 1/0/2,x=y" };
  const outcomes: PollOutcome[] = [
    {
      deviceId: "sw 1",
      trigger: "schedule",
      startedAt: 1_000_000,
      finishedAt: 1_000_125,
      samples: [
        { metric: "if_oper_up", value: 1, labels: row1 },
        { metric: "if_in_bits_per_second", value: 1200.5, labels: row1 },
        { metric: "if_oper_up", value: 0, labels: row2 },
        { metric: "system_uptime_seconds", value: 3600 },
        { metric: "if_in_bits_per_second", value: 7, labels: { ifname: "Gi1/0/1" } },
        { metric: "if_oper_up", value: 5, labels: row1 },
        { metric: "cpu_usage_percent", value: Number.NaN, labels: { entity: "slot 1", device: "spoof" } },
        { metric: "cpu_load", value: -0, labels: { entity: "" } },
        { metric: "nofield", value: Number.POSITIVE_INFINITY },
      ],
    },
    {
      deviceId: "d1",
      trigger: "schedule",
      startedAt: 42,
      finishedAt: 5042,
      samples: [],
      error: new PollError("timeout", "no answer in 5 s"),
    },
    {
      deviceId: "bd1",
      trigger: "stream",
      startedAt: 7,
      finishedAt: 7,
      samples: [{ metric: "beidou_fix", value: 1 }],
    },
  ];

  it.each(["ms", "us", "ns"] as const)(
    "writes what encodePoints(outcomePoints()) writes, poll after poll (precision %s)",
    (precision) => {
      for (let poll = 0; poll < 3; poll++)
        for (const o of outcomes) {
          const outcome = { ...o, startedAt: o.startedAt + poll, finishedAt: o.finishedAt + 2 * poll };
          const expected = encodePoints(outcomePoints(outcome, device), precision);
          expect(expected.lines.length).toBeGreaterThan(0);
          expect(encodeOutcome(outcome, device, precision)).toEqual(expected);
        }
      const first = encodeOutcome(outcomes[0]!, device, precision);
      expect(first.skipped).toBe(2);
      expect(first.lines[1]).toBe(
        `if,device=sw\\ 1,ifname=Gi1/0/1,kind=switch,site=vehicle if_oper_up=5,if_in_bits_per_second=7 1000000${{ ms: "", us: "000", ns: "000000" }[precision]}`,
      );
    },
  );

  it("writes the same lines as one body when a device's samples change from poll to poll", () => {
    const [a, b, c] = [{ ifname: "a" }, { ifname: "b" }, { ifname: "c" }];
    const polls: Sample[][] = [
      [
        { metric: "if_oper_up", value: 1, labels: a },
        { metric: "if_oper_up", value: 0, labels: b },
      ],
      [
        { metric: "if_oper_up", value: 1, labels: a },
        { metric: "if_oper_up", value: 1, labels: b },
      ],
      // a new row, another order, a repeated metric of one series, a value that cannot be written
      [
        { metric: "if_oper_up", value: 0, labels: c },
        { metric: "if_oper_up", value: 1, labels: a },
        { metric: "if_in_bits_per_second", value: Number.NaN, labels: a },
        { metric: "if_oper_up", value: 2, labels: c },
      ],
      // the same rows under new labels objects
      [
        { metric: "if_oper_up", value: 1, labels: { ifname: "a" } },
        { metric: "if_oper_up", value: 1, labels: { ifname: "b" } },
      ],
      [{ metric: "if_in_bits_per_second", value: Number.POSITIVE_INFINITY, labels: a }],
      [],
    ];
    polls.forEach((samples, i) => {
      const outcome: PollOutcome = {
        deviceId: "plan-sw",
        trigger: "schedule",
        startedAt: 1000 * i,
        finishedAt: 1000 * i + 20,
        samples,
      };
      const expected = encodePoints(outcomePoints(outcome, device));
      const body = expected.lines.join("\n");
      expect(encodeOutcomeBody(outcome, device)).toEqual({
        body,
        bytes: Buffer.byteLength(body),
        points: expected.lines.length,
        skipped: expected.skipped,
      });
    });
    expect(
      encodeOutcomeBody(
        { deviceId: "plan-sw", trigger: "schedule", startedAt: 1, finishedAt: 1, samples: polls[2]! },
        device,
      ).body.split("\n")[1],
    ).toBe("if,device=plan-sw,ifname=c,kind=switch,site=vehicle if_oper_up=2 1");
  });

  it("counts the UTF-8 bytes of a body with names outside ASCII", () => {
    const site = { site: "站点 1", kind: "交换机" };
    const row = { ifname: "端口=1" };
    const polls: PollOutcome[] = [
      {
        deviceId: "设备-ü",
        trigger: "schedule",
        startedAt: 5,
        finishedAt: 9,
        samples: [
          { metric: "if_流量", value: 1.5, labels: row },
          { metric: "if_错误", value: Number.NaN, labels: row },
          { metric: "ups_电压", value: 220 },
        ],
      },
      {
        deviceId: "设备-ü",
        trigger: "schedule",
        startedAt: 6,
        finishedAt: 10,
        samples: [
          { metric: "if_流量", value: 2, labels: row },
          { metric: "if_错误", value: 3, labels: row },
          { metric: "ups_电压", value: Number.NaN },
        ],
        error: new PollError("decode", "ignored"),
      },
    ];
    for (const outcome of polls) {
      const { body, bytes } = encodeOutcomeBody(outcome, site);
      expect(bytes).toBe(Buffer.byteLength(body));
      expect(bytes).toBeGreaterThan(body.length);
    }
  });

  it("writes every number as String() would, digit by digit or not, and -0 as 0", () => {
    const values = [
      0,
      -0,
      1,
      -1,
      9,
      10,
      99,
      100,
      4294967295,
      2 ** 53 - 1,
      2 ** 53,
      1e15 - 1,
      1e15,
      -(1e15 - 1),
      -1e15,
      123456789012345,
      1e21,
      1.5e300,
      -1.7976931348623157e308,
      5e-324,
      1e-7,
      0.1,
      -0.000001,
      1200.5,
      12345678.123456789,
    ];
    const samples = values.map((value, i) => ({ metric: `ups_v${i}`, value }));
    for (const finishedAt of [1000, 1000.5, 1001.25]) {
      const outcome: PollOutcome = {
        deviceId: "num",
        trigger: "schedule",
        startedAt: 1000,
        finishedAt,
        samples,
      };
      const expected = encodePoints(outcomePoints(outcome, device)).lines;
      expect(encodeOutcome(outcome, device).lines).toEqual(expected);
      expect(expected[1]).toContain("ups_v1=0,");
      expect(expected[1]).toContain("ups_v9=9007199254740991,");
    }
  });

  it("writes a device of many values after one of few, and leaves out a value that is not a number", () => {
    const wide: Sample[] = Array.from({ length: 600 }, (_, i) => ({
      metric: "if_in_errors_total",
      value: i,
      labels: { ifname: `port${i}` },
    }));
    const devices: [string, Sample[]][] = [
      ["narrow", [{ metric: "ups_load_percent", value: 12 }]],
      ["wide", wide],
    ];
    for (const [deviceId, samples] of devices) {
      const outcome: PollOutcome = { deviceId, trigger: "schedule", startedAt: 5, finishedAt: 6, samples };
      expect(encodeOutcome(outcome, device).lines).toEqual(
        encodePoints(outcomePoints(outcome, device)).lines,
      );
    }
    // A driver's defect (a string or a bigint where a number belongs) costs that field, not the poll.
    const odd: PollOutcome = {
      deviceId: "odd",
      trigger: "schedule",
      startedAt: 5,
      finishedAt: 6,
      samples: [
        { metric: "ups_load_percent", value: "12" as unknown as number },
        { metric: "ups_battery_charge_percent", value: 98 },
        { metric: "ups_runtime_seconds", value: 10n as unknown as number },
      ],
    };
    expect(encodeOutcome(odd, device).lines[1]).toBe(
      "ups,device=odd,kind=switch,site=vehicle ups_battery_charge_percent=98 5",
    );
  });

  it("keeps each body as it was when later polls are encoded (bodies wait in memory until sent)", () => {
    const bodies: { bytes: Buffer; text: string }[] = [];
    for (let i = 0; i < 2000; i++) {
      const outcome: PollOutcome = {
        deviceId: `keep-${i % 7}`,
        trigger: "schedule",
        startedAt: i,
        finishedAt: i + 3,
        samples: [
          { metric: "if_in_octets", value: i * 1000, labels: { ifname: "eth0" } },
          { metric: "system_uptime_seconds", value: i },
        ],
      };
      const { body } = encodeOutcomeBytes(outcome, device);
      bodies.push({ bytes: body, text: encodePoints(outcomePoints(outcome, device)).lines.join("\n") });
    }
    for (const { bytes, text } of bodies) expect(bytes.toString("utf8")).toBe(text);
  });

  it("follows a device moved to another site", () => {
    const o = outcomes[2]!;
    expect(encodeOutcome(o, device).lines[0]).toBe("poll,device=bd1,kind=switch,site=vehicle up=1i 7");
    expect(encodeOutcome(o, { site: "hq", kind: "beidou" }).lines[0]).toBe(
      "poll,device=bd1,kind=beidou,site=hq up=1i 7",
    );
  });
});
