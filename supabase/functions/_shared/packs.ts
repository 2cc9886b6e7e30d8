// Server-defined credit packs: the client only names a pack id, never a price.
export interface CreditPack {
  id: string;
  credits: number;
  amountCents: number;
  currency: string;
  name: string;
}

export const CREDIT_PACKS: Readonly<Record<string, CreditPack>> = Object.freeze({
  pack_10: { id: "pack_10", credits: 10, amountCents: 499, currency: "usd", name: "10 Echoes credits" },
  pack_50: { id: "pack_50", credits: 50, amountCents: 1999, currency: "usd", name: "50 Echoes credits" },
  pack_120: { id: "pack_120", credits: 120, amountCents: 3999, currency: "usd", name: "120 Echoes credits" },
});
