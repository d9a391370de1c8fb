// world root:component/root
export function greet(name: string): string;
