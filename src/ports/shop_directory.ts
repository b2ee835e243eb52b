/** A shop's binding of one extension to a PSP plugin, with credentials already decrypted. */
export interface ExtensionBinding {
  readonly shop: string;
  readonly extension: string;
  readonly plugin: string;
  readonly live?: Readonly<Record<string, unknown>>;
  readonly test?: Readonly<Record<string, unknown>>;
}

export interface ShopDirectory {
  /** The binding, or undefined when the shop is unknown or has not bound this extension. */
  findBinding(shop: string, extension: string): Promise<ExtensionBinding | undefined>;
  /** Every binding of a shop (none for an unknown shop). */
  bindingsOf(shop: string): Promise<readonly ExtensionBinding[]>;
}
