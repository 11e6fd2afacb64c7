/**
 * Is a change one side reports our own write coming back? Its print equals what was last synced,
 * or one of our last few writes there when it was made before the latest of them ended (the
 * webhook about an earlier write of ours can arrive after a later one). Pure.
 */
import { CLOCK_SLACK_MS } from './field-record.ts';
import type { Link } from './work.ts';

export function isGhlEcho(link: Link | undefined, print: string, changedAt: number | undefined): boolean {
  if (!link) return false;
  return link.ghlFp === print || earlierWrite(link.ghlWritten, link.ghlWriteAt, print, changedAt);
}

export function isPartnerEcho(
  link: Link | undefined,
  fingerprint: string,
  changedAt: number | undefined,
): boolean {
  if (!link) return false;
  return (
    link.partnerFp === fingerprint ||
    earlierWrite(link.partnerWritten, link.partnerWriteAt, fingerprint, changedAt)
  );
}

function earlierWrite(
  written: string[],
  lastWriteAt: number | null,
  print: string,
  changedAt: number | undefined,
): boolean {
  return written.includes(print) && !!changedAt && !!lastWriteAt && changedAt <= lastWriteAt + CLOCK_SLACK_MS;
}
