// A small program written against the generated types: register, sign in,
// search, bill a client and read the invoice back. It only has to compile
// (`tsc --strict --noEmit`): a document change that breaks a client breaks it.
import type { paths } from "../generated/schema";

type Method = "get" | "post" | "put" | "patch" | "delete";

/** The JSON body an operation takes. */
type Body<P extends keyof paths, M extends Method> = paths[P][M] extends {
  requestBody: { content: { "application/json": infer B } };
}
  ? B
  : paths[P][M] extends { requestBody?: { content: { "application/json": infer B } } }
    ? B | undefined
    : undefined;

/** The JSON an operation answers with `S`. */
type Answer<P extends keyof paths, M extends Method, S extends number> = paths[P][M] extends {
  responses: { [K in S]: { content: { "application/json": infer R } } };
}
  ? R
  : never;

/** The query parameters of an operation. */
type Query<P extends keyof paths, M extends Method> = paths[P][M] extends {
  parameters: { query?: infer Q };
}
  ? NonNullable<Q>
  : never;

/** The path parameters of an operation. */
type PathParams<P extends keyof paths, M extends Method> = paths[P][M] extends {
  parameters: { path: infer A };
}
  ? A
  : never;

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

class Client {
  private token: string | undefined;

  constructor(private readonly base: string) {}

  signIn(token: string): void {
    this.token = token;
  }

  async call<P extends keyof paths, M extends Method, S extends number>(
    path: P,
    method: M,
    expected: S,
    options: {
      body?: Body<P, M>;
      query?: Query<P, M>;
      params?: PathParams<P, M>;
    } = {},
  ): Promise<Answer<P, M, S>> {
    let url: string = path;
    for (const [name, value] of Object.entries(options.params ?? {})) {
      url = url.replace(`{${name}}`, encodeURIComponent(String(value)));
    }
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== null) search.set(name, String(value));
    }
    const suffix = search.size > 0 ? `?${search}` : "";
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    const init: RequestInit = { method: method.toUpperCase(), headers };
    if (options.body !== undefined) init.body = JSON.stringify(options.body);
    const res = await fetch(`${this.base}${url}${suffix}`, init);
    const json: unknown = res.status === 204 ? null : await res.json();
    if (res.status !== expected) throw new ApiError(res.status, json);
    return json as Answer<P, M, S>;
  }
}

export async function run(base: string): Promise<string> {
  const api = new Client(base);
  const email = `owner-${Date.now()}@example.com`;
  const password = "correct horse battery";

  const registered = await api.call("/api/v1/auth/register", "post", 201, {
    body: {
      email,
      password,
      first_name: "Ann",
      last_name: "Lee",
      role: "provider",
      zipcode: "10001",
    },
  });
  const userId: number = registered.user.id;

  const session = await api.call("/api/v1/auth/login", "post", 200, {
    body: { email, password },
  });
  api.signIn(session.access_token);
  const expiresIn: number = session.expires_in;

  const found = await api.call("/api/v1/search", "get", 200, {
    query: { q: "dog walking", zipcode: "10001", limit: 5 },
  });
  const names: string[] = found.items.map((card) => card.business_name);
  const region: string | undefined = found.region?.code;

  await api.call("/api/v1/tenants", "post", 201, {
    body: { name: "Ann's Paws", slug: `paws-${userId}` },
  });
  const party = await api.call("/api/v1/billing/parties", "post", 201, {
    body: { kind: "person", display_name: "Pat Client" },
  });
  const created = await api.call("/api/v1/billing/invoices", "post", 201, {
    body: {
      client_party_id: party.id,
      due_date: "2026-12-31",
      lines: [{ description: "Two walks", quantity: 2, unit_price_cents: 1500 }],
    },
  });
  const invoice = await api.call("/api/v1/billing/invoices/{id}", "get", 200, {
    params: { id: created.id },
  });
  const owed: number = invoice.balance_cents;
  const lines: number = invoice.lines.reduce((sum, line) => sum + line.amount_cents, 0);

  return `${userId} ${expiresIn}s ${region ?? "-"} [${names.join(", ")}] ${invoice.number} ${invoice.status} ${owed}/${lines} ${invoice.currency}`;
}
