import postgres from 'postgres';

/** A connection to the maintenance database of the server in `url`, for CREATE/DROP DATABASE. */
export function adminSql(url: string) {
  return postgres(url, { max: 1, onnotice: () => {} });
}

export function databaseUrl(base: string, name: string): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}
