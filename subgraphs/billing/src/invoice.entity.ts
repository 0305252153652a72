import { EntitySchema } from '@mikro-orm/core';

export type InvoiceStatus = 'OPEN' | 'PAID' | 'VOID';

export interface InvoiceLine {
  description: string;
  amountMinor: number;
}

/** An invoice; money in integer minor units. Provider invoices carry their provider id. */
export interface Invoice {
  id: string;
  userId: string;
  number: string;
  currency: string;
  totalMinor: number;
  status: InvoiceStatus;
  lines: InvoiceLine[];
  issuedAt: Date;
  providerInvoiceId: string | null;
  periodStart: Date | null;
  periodEnd: Date | null;
}

export const InvoiceSchema = new EntitySchema<Invoice>({
  name: 'Invoice',
  tableName: 'invoice',
  properties: {
    id: { type: 'uuid', primary: true },
    userId: { type: 'uuid' },
    number: { type: 'text', unique: 'invoice_number_unique' },
    currency: { type: 'text' },
    totalMinor: { type: 'integer' },
    status: { type: 'text' },
    lines: { type: 'json' },
    issuedAt: { type: 'Date', columnType: 'timestamptz' },
    providerInvoiceId: { type: 'text', nullable: true, unique: 'invoice_provider_invoice_id_unique' },
    periodStart: { type: 'Date', columnType: 'timestamptz', nullable: true },
    periodEnd: { type: 'Date', columnType: 'timestamptz', nullable: true },
  },
  indexes: [{ name: 'invoice_user_id_idx', properties: ['userId', 'id'] }],
});
