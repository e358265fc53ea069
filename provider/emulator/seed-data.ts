import type { Currency } from "../sdk";
import type { ServerRecord, WalletRecord } from "./records";

/**
 * The initial marketplace and account. Values are made up; shapes follow the fixtures in
 * test/fixtures/clore-api (rig-alpha is the fixtures' server 41873).
 */

/** The caller's user id (get_gigaspot's my_user_id, owner of rig-alpha). */
export const MY_USER_ID = 2911;
export const FIRST_ORDER_ID = 700_001;

/** USD per 1 unit (spot_marketplace's currency_rates_in_usd). */
export const USD_RATES: Record<Currency, number> = { bitcoin: 95_000, "CLORE-Blockchain": 0.0025, "USD-Blockchain": 1 };

export const CREATION_FEES = {
  on_demand: { bitcoin: 5e-7, "CLORE-Blockchain": 20, "USD-Blockchain": 0.05 },
  spot: { bitcoin: 5e-7, "CLORE-Blockchain": 20, "USD-Blockchain": 0.05 },
} satisfies Record<"on_demand" | "spot", Record<Currency, number>>;

/** GigaSPOT's own creation fee (fixture get_gigaspot.json). */
export const GIGASPOT_CREATION_FEES: Partial<Record<Currency, number>> = { "CLORE-Blockchain": 1 };

/** Percent added to the host price (a README quotes 10 % / 2.5 %; unverified). */
export const RENTER_FEES = {
  on_demand: { base: { bitcoin: 10, "CLORE-Blockchain": 10, "USD-Blockchain": 10 } },
  spot: { base: { bitcoin: 2.5, "CLORE-Blockchain": 2.5, "USD-Blockchain": 2.5 } },
};
export const POH_CONFIG = { max_reduction_percent: 50, max_poh_amount: 100_000 };
export const POH_BALANCE = 50_000;

export function seedWallets(): WalletRecord[] {
  return [
    {
      name: "bitcoin",
      deposit: "bc1qemulatordeposit000000000000000000000zz",
      base: 0.00153176,
      withdrawal_fee: 0.0001,
    },
    { name: "CLORE-Blockchain", deposit: "AEmulatorCloreDepositAddr1111111111", base: 12_500.5, withdrawal_fee: 10 },
    { name: "USD-Blockchain", deposit: "0x00000000000000000000000000000000000c10e0", base: 42.17, withdrawal_fee: 1 },
  ];
}

interface SpecInput {
  gpu: string;
  count: number;
  gpuram: number;
  mem: number;
  cc: string;
  cpu: string;
  cpus: string;
  ram: number;
  pl: number;
  disk?: string;
  pcie?: number;
}

function specs(s: SpecInput): Record<string, unknown> {
  return {
    mb: "Emulated Mainboard",
    cpu: s.cpu,
    cpus: s.cpus,
    ram: s.ram,
    gpu: `${s.count}x ${s.gpu}`,
    gpuram: s.gpuram,
    disk: s.disk ?? "NVMe 931.5GB",
    disk_speed: 2400.5,
    net: { cc: s.cc, down: 900.1, up: 800.2, test_history: [] },
    backend_version: 18,
    pcie_rev: s.pcie ?? 4,
    pcie_width: 16,
    pl: Array(s.count).fill(s.pl),
    stock_pl: Array(s.count).fill(s.pl),
    stock_oc: "default",
    stock_oc_override: false,
    gpus: Array.from({ length: s.count }, () => ({ type: s.gpu, mem: s.mem, pcie_gen: s.pcie ?? 4, pcie_width: 16 })),
  };
}

const ALL: Currency[] = ["bitcoin", "CLORE-Blockchain", "USD-Blockchain"];
const RYZEN = { cpu: "AMD Ryzen 9 5900X 12-Core Processor", cpus: "12/24", ram: 62.73 };
const EPYC = { cpu: "AMD EPYC 7543 32-Core Processor", cpus: "32/64", ram: 503.5 };
const XEON = { cpu: "Intel(R) Xeon(R) Gold 6138 CPU @ 2.00GHz", cpus: "40/80", ram: 251.55 };
/** Host 3407 runs two identical machines (52210 and 52211). */
const HOST_3407_RIG = {
  gpu: "NVIDIA GeForce RTX 3090",
  count: 2,
  gpuram: 24,
  mem: 24576,
  cc: "DE",
  pl: 350,
  pcie: 3,
  ...XEON,
};

type Seed = Omit<ServerRecord, "autoprice" | "usdPricing" | "foreignOffers" | "connected" | "visibility" | "gigaspot"> &
  Partial<Pick<ServerRecord, "autoprice" | "usdPricing" | "foreignOffers" | "connected" | "visibility" | "gigaspot">>;

function server(s: Seed): ServerRecord {
  // Hosts that take USD-Blockchain have USD prices set (marketplace `original_usd`); others none.
  const usd = { on_demand: s.onDemand["USD-Blockchain"], spot: s.spotMin["USD-Blockchain"] };
  const usdPricing =
    typeof usd.on_demand === "number" && typeof usd.spot === "number"
      ? Object.fromEntries(s.allowedCoins.map((c) => [c, { on_demand: usd.on_demand!, spot: usd.spot! }]))
      : {};
  return { connected: true, visibility: "public", gigaspot: false, autoprice: {}, usdPricing, foreignOffers: [], ...s };
}

/** Ten marketplace servers (one is the caller's rig-alpha) plus the caller's never-connected rig-beta. */
export function seedServers(): ServerRecord[] {
  return [
    server({
      id: 41873,
      owner: MY_USER_ID,
      name: "rig-alpha",
      online: true,
      mrl: 72,
      onDemand: { bitcoin: 0.0000385, "CLORE-Blockchain": 1450, "USD-Blockchain": 3.6 },
      spotMin: { bitcoin: 0.000022, "CLORE-Blockchain": 820, "USD-Blockchain": 2.05 },
      allowedCoins: [...ALL],
      autoprice: { bitcoin: false, "CLORE-Blockchain": false, "USD-Blockchain": false },
      specs: specs({ gpu: "NVIDIA GeForce RTX 4090", count: 1, gpuram: 24, mem: 24564, cc: "FI", pl: 450, ...RYZEN }),
      reliability: 0.9987,
      rating: { avg: 4.8, cnt: 37 },
      cudaVersion: "12.4",
      rentedByOthers: false,
      initToken: "RW11bGF0b3ItaW5pdC10b2tlbi0wMDAx",
      backgroundJob: {
        times_updated: 3,
        image: "example/idle-miner:latest",
        command: "",
        env: { WALLET: "example-wallet" },
      },
      oc: false,
    }),
    server({
      id: 41874,
      owner: MY_USER_ID,
      name: "rig-beta",
      online: false,
      connected: false,
      visibility: "hidden",
      mrl: 72,
      onDemand: { bitcoin: 0, "CLORE-Blockchain": 0 },
      spotMin: { bitcoin: 0, "CLORE-Blockchain": 0 },
      allowedCoins: ["CLORE-Blockchain"],
      reliability: 0,
      rating: { avg: 0, cnt: 0 },
      cudaVersion: "",
      rentedByOthers: false,
      initToken: "RW11bGF0b3ItaW5pdC10b2tlbi0wMDAy",
    }),
    server({
      id: 52210,
      owner: 3407,
      online: true,
      mrl: 240,
      onDemand: { bitcoin: 0.00006, "CLORE-Blockchain": 2300 },
      spotMin: { bitcoin: 0.000031, "CLORE-Blockchain": 1200 },
      allowedCoins: ["bitcoin", "CLORE-Blockchain"],
      specs: specs(HOST_3407_RIG),
      reliability: 0.9712,
      rating: { avg: 4.2, cnt: 11 },
      cudaVersion: "12.2",
      rentedByOthers: true,
    }),
    server({
      id: 52211,
      owner: 3407,
      online: true,
      mrl: 240,
      onDemand: { bitcoin: 0.000059, "CLORE-Blockchain": 2250, "USD-Blockchain": 5.6 },
      spotMin: { bitcoin: 0.00003, "CLORE-Blockchain": 1150, "USD-Blockchain": 2.9 },
      allowedCoins: [...ALL],
      specs: specs(HOST_3407_RIG),
      reliability: 0.9904,
      rating: { avg: 4.6, cnt: 23 },
      cudaVersion: "12.2",
      rentedByOthers: false,
    }),
    server({
      id: 38811,
      owner: 1804,
      online: true,
      mrl: 168,
      onDemand: { bitcoin: 0.0000105, "CLORE-Blockchain": 400, "USD-Blockchain": 1.0 },
      spotMin: { bitcoin: 0.000008, "CLORE-Blockchain": 300, "USD-Blockchain": 0.75 },
      allowedCoins: [...ALL],
      specs: specs({
        gpu: "NVIDIA GeForce RTX 3060",
        count: 1,
        gpuram: 12,
        mem: 12288,
        cc: "PL",
        pl: 170,
        pcie: 3,
        cpu: "AMD Ryzen 5 3600 6-Core Processor",
        cpus: "6/12",
        ram: 31.27,
      }),
      reliability: 0.9931,
      rating: { avg: 4.5, cnt: 9 },
      cudaVersion: "12.2",
      rentedByOthers: false,
      foreignOffers: [
        { offer_id: 612399, owner: 5501, bid: 0.8, currency: "USD-Blockchain", active: true },
        { offer_id: 612400, owner: 5502, bid: 310, currency: "CLORE-Blockchain", active: false },
      ],
    }),
    server({
      id: 40329,
      owner: 3407,
      online: true,
      mrl: 480,
      gigaspot: true,
      onDemand: { bitcoin: 0.000044, "CLORE-Blockchain": 1700, "USD-Blockchain": 4.2 },
      spotMin: { bitcoin: 0.000019, "CLORE-Blockchain": 720, "USD-Blockchain": 1.8 },
      allowedCoins: [...ALL],
      specs: specs({
        gpu: "NVIDIA GeForce RTX 4090",
        count: 1,
        gpuram: 24,
        mem: 24564,
        cc: "US",
        pl: 450,
        cpu: "Intel(R) Xeon(R) CPU E5-2698 v3 @ 2.30GHz",
        cpus: "32/64",
        ram: 125.8,
      }),
      reliability: 0.995,
      rating: { avg: 4.9, cnt: 52 },
      cudaVersion: "12.4",
      rentedByOthers: false,
      energyPrice: 0.11,
    }),
    server({
      id: 35083,
      owner: 2525,
      online: true,
      mrl: 220,
      gigaspot: true,
      onDemand: { "CLORE-Blockchain": 600 },
      spotMin: { "CLORE-Blockchain": 250 },
      allowedCoins: ["CLORE-Blockchain"],
      specs: specs({
        gpu: "NVIDIA GeForce GTX 1660 SUPER",
        count: 2,
        gpuram: 6,
        mem: 6144,
        cc: "RU",
        pl: 100,
        pcie: 3,
        cpu: "Intel(R) Celeron(R) CPU G3930 @ 2.90GHz",
        cpus: "2/2",
        ram: 7.7,
      }),
      reliability: 0.974,
      rating: { avg: 4.0, cnt: 3 },
      cudaVersion: "11.6",
      rentedByOthers: false,
      energyPrice: 0.05,
    }),
    server({
      id: 60101,
      owner: 5120,
      online: true,
      mrl: 720,
      onDemand: { bitcoin: 0.000505, "CLORE-Blockchain": 19_200, "USD-Blockchain": 48 },
      spotMin: { bitcoin: 0.000316, "CLORE-Blockchain": 12_000, "USD-Blockchain": 30 },
      allowedCoins: [...ALL],
      specs: specs({ gpu: "NVIDIA A100 80GB PCIe", count: 4, gpuram: 80, mem: 81920, cc: "US", pl: 300, ...EPYC }),
      reliability: 0.9991,
      rating: { avg: 4.9, cnt: 88 },
      cudaVersion: "12.6",
      rentedByOthers: false,
    }),
    server({
      id: 60102,
      owner: 5120,
      online: true,
      mrl: 168,
      onDemand: { "CLORE-Blockchain": 900 },
      spotMin: { "CLORE-Blockchain": 500 },
      allowedCoins: ["CLORE-Blockchain"],
      specs: specs({ gpu: "NVIDIA GeForce RTX 3080", count: 1, gpuram: 10, mem: 10240, cc: "CA", pl: 320, ...RYZEN }),
      reliability: 0.9856,
      rating: { avg: 4.3, cnt: 14 },
      cudaVersion: "12.2",
      rentedByOthers: false,
    }),
    server({
      id: 60103,
      owner: 6230,
      online: true,
      mrl: 336,
      onDemand: { bitcoin: 0.000547, "CLORE-Blockchain": 20_800, "USD-Blockchain": 52 },
      spotMin: { bitcoin: 0.000368, "CLORE-Blockchain": 14_000, "USD-Blockchain": 35 },
      allowedCoins: [...ALL],
      specs: specs({
        gpu: "NVIDIA H100 80GB HBM3",
        count: 1,
        gpuram: 80,
        mem: 81559,
        cc: "NL",
        pl: 700,
        pcie: 5,
        ...EPYC,
      }),
      reliability: 0.9978,
      rating: { avg: 4.7, cnt: 31 },
      cudaVersion: "12.8",
      rentedByOthers: false,
    }),
    server({
      id: 60104,
      owner: 7311,
      online: false,
      mrl: 96,
      onDemand: { bitcoin: 0.0000126, "CLORE-Blockchain": 480, "USD-Blockchain": 1.2 },
      spotMin: { bitcoin: 0.0000084, "CLORE-Blockchain": 320, "USD-Blockchain": 0.8 },
      allowedCoins: [...ALL],
      specs: specs({ gpu: "NVIDIA GeForce RTX 3070", count: 1, gpuram: 8, mem: 8192, cc: "BR", pl: 220, ...RYZEN }),
      reliability: 0.912,
      rating: { avg: 3.9, cnt: 6 },
      cudaVersion: "12.0",
      rentedByOthers: false,
    }),
  ];
}
