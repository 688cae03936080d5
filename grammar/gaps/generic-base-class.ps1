# A class deriving from a generic type.
class ServerList : System.Collections.Generic.List[object] {
}
