/** The part of saxen's API used here (the package ships no typings). */
declare module 'saxen' {
  type Decode = (text: string) => string;
  export class Parser {
    on(event: 'openTag', fn: (name: string, attrs: () => Record<string, string>, decode: Decode, selfClosing: boolean) => void): this;
    on(event: 'closeTag', fn: (name: string, decode: Decode, selfClosing: boolean) => void): this;
    on(event: 'text', fn: (text: string, decode: Decode) => void): this;
    on(event: 'cdata' | 'attention' | 'question', fn: (text: string) => void): this;
    on(event: 'error' | 'warn', fn: (error: Error) => void): this;
    parse(xml: string): this;
  }
}
