/**
 * Where a notebook's generated project goes, from the settings' folder pattern.
 */

/** Expand `{{stem}}` and `{{dir}}` in the pattern; the result is relative to the server root. */
export function outputDirFor(pattern: string, notebookPath: string): string {
  const slash = notebookPath.lastIndexOf('/');
  const dir = slash >= 0 ? notebookPath.slice(0, slash) : '';
  const name = notebookPath.slice(slash + 1);
  const stem = name.replace(/\.ipynb$/, '');
  const template = pattern || '{{dir}}/{{stem}}-production';
  return template
    .replace(/\{\{\s*stem\s*\}\}/g, stem)
    .replace(/\{\{\s*dir\s*\}\}/g, dir)
    .replace(/^\/+/, '')
    .replace(/\/{2,}/g, '/');
}
