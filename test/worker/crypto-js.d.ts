// crypto-js ships no types and @types/crypto-js is not a dependency; the tests use only this much.
declare module 'crypto-js' {
  interface CipherParams {
    toString(): string;
  }
  const CryptoJS: {
    AES: { encrypt(message: string, passphrase: string): CipherParams };
  };
  export default CryptoJS;
}
