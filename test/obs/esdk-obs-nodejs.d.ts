/** Just enough of esdk-obs-nodejs's shape for the tests (the package ships no types). */
declare module 'esdk-obs-nodejs' {
  namespace ObsClient {
    interface CommonMsg {
      Status: number;
      Code: string;
      Message: string;
      RequestId?: string;
      HostId?: string;
    }
    interface Result {
      CommonMsg: CommonMsg;
      // The SDK's result fields differ by operation.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      InterfaceResult: any;
    }
  }
  class ObsClient {
    constructor(opts: Record<string, unknown>);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    [method: string]: any;
    createSignedUrlSync(p: Record<string, unknown>): { SignedUrl: string; ActualSignedRequestHeaders: Record<string, string> };
    close(): void;
  }
  export = ObsClient;
}
