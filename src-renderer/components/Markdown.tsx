// An answer as markdown: lists, tables (GFM), fenced code with a copy button. The text came
// from the model, which may have read an attacker's document, so nothing in it may act by
// itself: raw HTML is shown as text, no image is ever fetched, and a link opens only when the
// user clicks it, in the system browser.
import { useRef, useState, type ReactNode } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';

/** Link schemes that open (in the system browser); any other link is shown as text. */
const OPENABLE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

/** The URL when a click may open it, else null (javascript:, file:, data:, relative…). */
export function openableUrl(href: string | undefined): string | null {
  if (!href) return null;
  try {
    const url = new URL(href);
    return OPENABLE_SCHEMES.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

const COMPONENTS: Components = {
  // An <img> would be fetched as soon as it renders: a remote image in an answer is a classic
  // way to carry data out (…/leak.png?d=secret). It becomes words the user can read instead.
  img: ({ alt, src }) => (
    <span className="md-image">
      [image: {alt || 'no description'}] {typeof src === 'string' ? src : ''}
    </span>
  ),
  a: ({ href, children }) => {
    const url = openableUrl(href);
    // javascript: or file: links would run or open something local: not links at all.
    if (url === null) {
      return (
        <span className="md-link-blocked" title={href ? `Not opened: ${href}` : undefined}>
          {children}
        </span>
      );
    }
    // target=_blank: the desktop app's window-open handler sends it to the system browser
    // (and denies the in-app window); no referrer or opener reaches the site.
    return (
      <a href={url} target="_blank" rel="noopener noreferrer" title={url}>
        {children}
      </a>
    );
  },
  pre: ({ children }) => <CodeBlock>{children}</CodeBlock>,
  table: ({ children }) => (
    <div className="md-table-scroll">
      <table>{children}</table>
    </div>
  ),
};

/**
 * Raw HTML never becomes elements: it is shown as the text it is. react-markdown 10 already does
 * that for raw nodes when no rehype-raw is given; turning them into text at the markdown stage
 * keeps it so even if a rehype plugin that parses HTML is added later.
 */
function htmlAsText() {
  return (tree: MarkdownNode) => {
    const visit = (node: MarkdownNode) => {
      if (node.type === 'html') node.type = 'text';
      for (const child of node.children ?? []) visit(child);
    };
    visit(tree);
  };
}

interface MarkdownNode {
  type: string;
  children?: MarkdownNode[];
}

const REMARK_PLUGINS = [remarkGfm, htmlAsText];

export function Markdown({ text }: { text: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown remarkPlugins={REMARK_PLUGINS} components={COMPONENTS}>
        {text}
      </ReactMarkdown>
    </div>
  );
}

function CodeBlock({ children }: { children: ReactNode }) {
  const [copied, setCopied] = useState(false);
  const pre = useRef<HTMLPreElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(pre.current?.textContent ?? '');
      setCopied(true);
    } catch {
      // No clipboard permission (the desktop app grants none to pages): nothing to do, the
      // user can still select the text.
    }
  };
  return (
    <div className="md-code">
      <button
        type="button"
        className="button button-small md-copy"
        onClick={() => void copy()}
        aria-label="Copy code"
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
      <pre ref={pre}>{children}</pre>
    </div>
  );
}
