/** The version of `@gruvision/classifier` written into every model artifact (kept equal to package.json by a test). */
export const CLASSIFIER_VERSION = '0.0.0';
