/**
 * A card-on-file token the gateway handed to Genstore. It belongs to one shop, one extension and one mode,
 * and stands for the PSP's own token; it never holds card data.
 */
export interface CardToken {
  readonly shop: string;
  readonly token: string;
  readonly extension: string;
  readonly plugin: string;
  readonly test: boolean;
  readonly pspToken: string;
  readonly shopperReference: string;
  readonly brand?: string;
  readonly last4?: string;
  readonly expiryMonth?: string;
  readonly expiryYear?: string;
  readonly paymentId: string;
}
