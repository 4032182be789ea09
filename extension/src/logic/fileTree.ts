/**
 * The generated project's file list as a tree, folders first, for the preview panel.
 */

export interface ITreeNode {
  name: string;
  path: string;
  children: ITreeNode[] | null; // null for files
}

/** Build a sorted tree (folders before files, then by name) from `/`-separated paths. */
export function buildFileTree(paths: readonly string[]): ITreeNode[] {
  const root: ITreeNode = { name: '', path: '', children: [] };
  for (const path of paths) {
    const parts = path.split('/').filter(part => part.length > 0);
    let node = root;
    parts.forEach((part, i) => {
      const isFile = i === parts.length - 1;
      const childPath = parts.slice(0, i + 1).join('/');
      let child = node.children!.find(c => c.name === part && (c.children === null) === isFile);
      if (!child) {
        child = { name: part, path: childPath, children: isFile ? null : [] };
        node.children!.push(child);
      }
      node = child;
    });
  }
  sortTree(root);
  return root.children!;
}

function sortTree(node: ITreeNode): void {
  if (node.children === null) {
    return;
  }
  node.children.sort((a, b) => {
    const folderFirst = Number(a.children === null) - Number(b.children === null);
    if (folderFirst !== 0) {
      return folderFirst;
    }
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; // code-point order: same everywhere
  });
  node.children.forEach(sortTree);
}

/** Depth-first list of (node, depth) pairs, the order the tree is drawn in. */
export function flattenTree(
  nodes: readonly ITreeNode[],
  depth = 0
): Array<{ node: ITreeNode; depth: number }> {
  const rows: Array<{ node: ITreeNode; depth: number }> = [];
  for (const node of nodes) {
    rows.push({ node, depth });
    if (node.children) {
      rows.push(...flattenTree(node.children, depth + 1));
    }
  }
  return rows;
}
