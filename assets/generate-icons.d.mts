export function generateIcons(directory: string): string[];
