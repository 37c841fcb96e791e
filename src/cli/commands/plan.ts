import type { Command } from 'commander';
import { c } from '../color.js';
import { globals } from '../globals.js';
import { log, out } from '../io.js';
import { addSelection, type SelectionFlags } from './options.js';
import type { PlanResult } from '../../commands/plan.js';
import { emitJson } from '../output.js';

export function register(program: Command): void {
  const cmd = program
    .command('plan')
    .description('show what migrate would do, statement by statement; writes nothing, not even a history table');
  addSelection(cmd, 'plan')
    .addHelpText('after', '\nExamples:\n  svcdb plan --all\n  svcdb plan ingestion --profile staging --json\n')
    .action(async (services: string[], flags: SelectionFlags, command: Command) => {
      const g = globals(command);
      const { plan } = await import('../../commands/plan.js');
      const result = await plan({
        cwd: g.cwd,
        config: g.config,
        profile: g.profileName,
        services,
        all: flags.all,
        to: flags.to,
        waitMs: flags.wait,
        log,
      });
      if (g.json) return emitJson(result, result.exitCode);
      out(renderPlan(result));
      process.exitCode = result.exitCode;
    });
}

function renderPlan(result: PlanResult): string {
  const lines: string[] = [];
  for (const s of result.services) {
    lines.push(c().bold(`${s.service}`) + c().dim(`  ${s.target}`));
    if (s.error) {
      lines.push(`  ${c().red('error:')} ${s.error.message}`, ...(s.error.hint ? [`  hint: ${s.error.hint}`] : []), '');
      continue;
    }
    for (const w of s.wouldCreate) lines.push(`  would create ${w}`);
    for (const r of s.renamed)
      lines.push(`  renamed: ${r.from} is now ${r.to}; migrate records the new name and runs nothing`);
    for (const d of s.drifted)
      lines.push(
        `  ${c().red('drift:')} ${d} changed since it was applied; migrate will refuse (svcdb repair ${s.service})`,
      );
    for (const m of s.missing)
      lines.push(`  ${c().yellow('missing:')} ${m} is recorded as applied but its file is gone`);
    if (!s.pending.length) lines.push(`  nothing pending (${s.appliedCount} applied)`);
    for (const m of s.pending) {
      lines.push(
        `  ${c().green('+')} ${m.file}${m.transaction ? '' : c().yellow(`  (no transaction${m.outsideTransactionBecause ? `: ${m.outsideTransactionBecause}` : ''})`)}`,
      );
      for (const st of m.statements) lines.push(`      ${c().dim(`${st.line}:`)} ${oneLine(st.sql)}`);
    }
    lines.push('');
  }
  if (result.findings.length) {
    lines.push(c().bold('ownership findings in the pending migrations'));
    for (const f of result.findings) {
      const level = f.severity === 'error' ? c().red('error') : c().yellow('warning');
      lines.push(`  ${f.file}:${f.line}:${f.column}  ${level}  ${f.message}  ${c().dim(f.rule)}`);
    }
  }
  if (result.safety.length) {
    lines.push(c().bold('safety findings in the pending migrations (svcdb check-migrations)'));
    for (const f of result.safety) {
      const level = f.severity === 'error' ? c().red('error') : c().yellow('warning');
      lines.push(
        `  ${f.file}:${f.line}:${f.column}  ${level}  ${f.message}  ${c().dim(f.rule)}`,
        `    ${c().dim('hint:')} ${f.hint ?? ''}`,
      );
    }
  }
  return lines.join('\n').trimEnd();
}

function oneLine(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}
