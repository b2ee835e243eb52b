import { fileURLToPath } from "node:url";
import { dirname as pathDirname } from "node:path";

export function fromFileUrl(url: URL): string {
  return fileURLToPath(url);
}

export function dirname(path: string): string {
  return pathDirname(path);
}
