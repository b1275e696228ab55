import NIOHTTP1

extension HTTPHeaders {
    /// Applies one edit. `rename` moves every value of a header to the new name,
    /// replacing what the new name held; renaming an absent header does nothing.
    public mutating func apply(_ edit: HeaderEdit) {
        switch edit {
        case .add(let name, let value):
            add(name: name, value: value)
        case .set(let name, let value):
            replaceOrAdd(name: name, value: value)
        case .remove(let name):
            remove(name: name)
        case .rename(let from, let to):
            let values = self[from]
            guard !values.isEmpty else { return }
            remove(name: from)
            remove(name: to)
            for value in values {
                add(name: to, value: value)
            }
        }
    }

    public mutating func apply(_ edits: [HeaderEdit]) {
        for edit in edits {
            apply(edit)
        }
    }
}
