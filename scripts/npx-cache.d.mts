export declare function forgetNpxInstall(dir: string): void;
