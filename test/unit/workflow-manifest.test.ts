import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { actionOf, triggerOf } from '../../worker/automations/catalog/index.ts';
import {
  marketplaceManifest,
  WORKFLOW_ACTIONS,
  WORKFLOW_TRIGGERS,
} from '../../worker/automations/workflows/modules.ts';
import { MANIFEST_PATH, manifestText } from '../../scripts/workflow-manifest.ts';

describe('workflow modules manifest', () => {
  it('the committed manifest is the one the code generates (npm run manifest)', () => {
    expect(readFileSync(MANIFEST_PATH, 'utf8')).toBe(manifestText());
  });

  it('follows the marketplace rules: keys, lengths, limits, one operation each', () => {
    const manifest = marketplaceManifest('https://app.example');
    expect(manifest.scopes).toContain('workflows.readonly');
    expect(manifest.triggers.length).toBeLessThanOrEqual(20);
    for (const m of [...manifest.triggers, ...manifest.actions]) {
      expect(m.key).toMatch(/^[a-z0-9_]{1,250}$/);
      expect(m.key.startsWith('lc_') || m.key.startsWith('iatf_')).toBe(false);
      expect(m.info.description.length).toBeLessThanOrEqual(200);
    }
    for (const t of WORKFLOW_TRIGGERS) expect(triggerOf(t.operation), t.key).toBeTruthy();
    for (const a of WORKFLOW_ACTIONS) expect(actionOf(a.operation), a.key).toBeTruthy();
    for (const t of manifest.triggers) {
      expect(t.subscriptionConfig.url).toBe('https://app.example/workflows/triggers/subscription');
      // Every custom variable points into the sample payload.
      for (const v of t.customVars)
        expect(
          v.reference.split('.').reduce<any>((at, k) => at?.[k], t.customVarsJson),
          `${t.key} ${v.reference}`,
        ).not.toBeUndefined();
    }
    const branch = manifest.actions.find((a) => a.key === 'has_upcoming_appointment')!;
    expect(
      (branch.branchesConfig as any).predefinedBranches.branches.map((b: { id: string }) => b.id),
    ).toEqual(['has_upcoming', 'no_upcoming']);
  });
});
