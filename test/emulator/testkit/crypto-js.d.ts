// crypto-js ships no types and @types/crypto-js is not a dependency; this is the little the tests call.
declare module 'crypto-js' {
  interface WordArray {
    toString(encoder?: unknown): string;
  }
  const CryptoJS: {
    AES: {
      decrypt(ciphertext: string, passphrase: string): WordArray;
      encrypt(message: string, passphrase: string): { toString(): string };
    };
    enc: { Utf8: unknown; Base64: unknown };
  };
  export default CryptoJS;
}
