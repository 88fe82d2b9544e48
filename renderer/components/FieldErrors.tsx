/** Error messages shown under the field they are about. */
export function FieldErrors({
  messages,
  id,
}: {
  messages: string[];
  id?: string;
}) {
  if (messages.length === 0) return null;
  return (
    <div className="field-errors" role="alert" id={id}>
      {messages.map((message) => (
        <p key={message}>{message}</p>
      ))}
    </div>
  );
}
