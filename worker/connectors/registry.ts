import { appointletConnector } from './appointlet.ts';
import { calcomConnector } from './calcom.ts';
import type { Connector } from './types.ts';
import { yourappConnector } from './yourapp.ts';

/** Every partner connector by `kind` (the `connections.kind` column). A new partner is one line here. */
export const CONNECTORS: Readonly<Record<string, Connector>> = Object.freeze({
  [calcomConnector.kind]: calcomConnector,
  [appointletConnector.kind]: appointletConnector,
  [yourappConnector.kind]: yourappConnector,
});

/** The connector for `kind`, or undefined for a kind this build does not know. */
export function connectorFor(kind: string): Connector | undefined {
  return Object.hasOwn(CONNECTORS, kind) ? CONNECTORS[kind] : undefined;
}

/** Kinds a connection can be created with. */
export const CONNECTOR_KINDS: readonly string[] = Object.keys(CONNECTORS);
