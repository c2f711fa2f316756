/**
 * A secret value taken from the environment (`${env:NAME}`) or declared under a sensitive path.
 *
 * The value is held in a private field: JSON.stringify, console.log/util.inspect, template strings and
 * structured logs all see only a redacted form. Only the applier calls `reveal()`, to send the value to
 * Coveo. `fingerprint` is a salted hash computed by the config loader (an edge) with the run's salt, so a
 * saved plan can record which value it was made with, without the value.
 */
const SECRET_BRAND = Symbol.for('coveo-sync.secret');

export interface SecretJson {
  readonly $secret: { readonly ref: string; readonly fingerprint: string };
}

export class Secret {
  readonly [SECRET_BRAND] = true;
  /** Where the value comes from, e.g. `env:DOCS_CRAWLER_PASSWORD`. Not secret itself. */
  readonly ref: string;
  /** Salted fingerprint of the value (hex); safe to print and store. */
  readonly fingerprint: string;
  readonly #value: string;

  constructor(ref: string, value: string, fingerprint: string) {
    this.ref = ref;
    this.#value = value;
    this.fingerprint = fingerprint;
  }

  /** The secret value itself; only for the request body that sends it to Coveo. */
  reveal(): string {
    return this.#value;
  }

  toJSON(): SecretJson {
    return { $secret: { ref: this.ref, fingerprint: this.fingerprint } };
  }

  toString(): string {
    return '(sensitive)';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${this.ref})`;
  }
}

export function isSecret(v: unknown): v is Secret {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[SECRET_BRAND] === true;
}

export function isSecretJson(v: unknown): v is SecretJson {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const s = (v as { $secret?: unknown }).$secret;
  return typeof s === 'object' && s !== null && typeof (s as { ref?: unknown }).ref === 'string' && typeof (s as { fingerprint?: unknown }).fingerprint === 'string';
}

/** The text every renderer shows in place of a secret. */
export const REDACTED = '(sensitive)';
