export interface CheckProblem { where: string; message: string }
export interface CheckResult { checked: number; problems: CheckProblem[] }
export function checkReport(_t: unknown, _r: unknown): CheckResult { return { checked: 0, problems: [] }; }
export function formatProblem(p: CheckProblem): string { return `${p.where}: ${p.message}`; }
