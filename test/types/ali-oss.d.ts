// ali-oss ships no type declarations; the tests use it untyped.
declare module 'ali-oss' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const OSS: any;
  export default OSS;
}
