import HTTPTypes
import Hummingbird
import MMPCore

extension Response {
    /// A JSON response from mmp's own JSON value (ordered keys, shortest exact numbers).
    public static func json(_ value: JSON, status: HTTPResponse.Status = .ok) -> Response {
        json(text: value.serialized(), status: status)
    }

    /// A response whose body is already JSON text.
    public static func json(text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// Plain text (Prometheus' exposition format names its version in the content type).
    public static func text(_ text: String, contentType: String = "text/plain; charset=utf-8", status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
