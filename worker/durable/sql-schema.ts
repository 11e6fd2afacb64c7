/**
 * Durable Object SQLite schemas, applied in order on construction. Append new statements; never
 * edit an applied one (an object that already ran it keeps its old shape).
 */
export function applySchema(sql: SqlStorage, statements: readonly string[]): void {
  sql.exec('CREATE TABLE IF NOT EXISTS _schema (version INTEGER NOT NULL)');
  const row = sql.exec<{ version: number }>('SELECT version FROM _schema').toArray()[0];
  const done = row?.version ?? 0;
  for (let i = done; i < statements.length; i++) sql.exec(statements[i]!);
  if (!row) sql.exec('INSERT INTO _schema (version) VALUES (?)', statements.length);
  else if (done !== statements.length) sql.exec('UPDATE _schema SET version = ?', statements.length);
}
