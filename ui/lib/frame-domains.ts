/** The agency's own hosts that may show the panel (`/api/agency/frame-domains`). */
export interface FrameDomains {
  /** Named by GHL when the agency installed the app (white-label), if any. */
  installDomain: string | null;
  /** Added by the agency's admins. */
  domains: string[];
}

/** One host per line (or separated by commas or spaces), trimmed, without blanks or repeats. */
export function parseDomainLines(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}
