import Foundation

extension ArrQuality {
    static func read(_ s: inout JSONScanner) throws(JSONScanner.Failure) -> ArrQuality? {
        guard try s.isObject() else { return nil }
        var quality = ArrQuality()
        try s.fields { (s: inout JSONScanner, key) throws(JSONScanner.Failure) in
            switch key {
            case "quality":
                guard try s.isObject() else { return }
                var info = QualityInfo()
                try s.fields { (s: inout JSONScanner, key) throws(JSONScanner.Failure) in
                    switch key {
                    case "id": info.id = try s.int()
                    case "name": info.name = try s.string()
                    case "source": info.source = try s.string()
                    case "resolution": info.resolution = try s.int()
                    case "modifier": info.modifier = try s.string()
                    default: try s.skipValue()
                    }
                }
                quality.quality = info
            case "revision":
                guard try s.isObject() else { return }
                var revision = Revision()
                try s.fields { (s: inout JSONScanner, key) throws(JSONScanner.Failure) in
                    switch key {
                    case "version": revision.version = try s.int()
                    case "real": revision.real = try s.int()
                    case "isRepack": revision.isRepack = try s.bool()
                    default: try s.skipValue()
                    }
                }
                quality.revision = revision
            default: try s.skipValue()
            }
        }
        return quality
    }
}

extension ArrLanguage {
    static func readList(_ s: inout JSONScanner) throws(JSONScanner.Failure) -> [ArrLanguage]? {
        guard try s.isArray() else { return nil }
        var list: [ArrLanguage] = []
        var spoiled = false
        try s.elements { (s: inout JSONScanner) throws(JSONScanner.Failure) in
            if let one = try read(&s) { list.append(one) } else { spoiled = true }
        }
        return spoiled ? nil : list
    }

    static func read(_ s: inout JSONScanner) throws(JSONScanner.Failure) -> ArrLanguage? {
        guard try s.isObject() else { return nil }
        var language = ArrLanguage()
        try s.fields { (s: inout JSONScanner, key) throws(JSONScanner.Failure) in
            switch key {
            case "id": language.id = try s.int()
            case "name": language.name = try s.string()
            default: try s.skipValue()
            }
        }
        return language
    }
}
