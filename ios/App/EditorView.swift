import PhanAnhCore
import PhotosUI
import SwiftUI

/// New or edit report: category, description, photos (camera or library,
/// handed over as JPEG so HEIC never reaches the core), location (GPS with
/// accuracy, a photo's position if accepted, or an address), the reporter
/// or — in volunteer mode — the neighbour; "is this the same problem?" first.
@MainActor
struct EditorView: View {
    @EnvironmentObject var app: AppModel
    @Environment(\.dismiss) private var dismiss
    let reportId: String?

    @State private var report: ReportView?
    @State private var categories: [CategoryView] = []
    @State private var problem: String?
    @State private var suggestion: Location?
    @State private var picked: [PhotosPickerItem] = []
    @State private var showCamera = false
    @State private var nearby: [NearbyReport] = []
    @State private var askSame = false
    @State private var handoff: ReportView?
    @State private var locator = LocationProvider()
    @State private var sent = false

    var body: some View {
        let t = app.texts
        Form {
            if let problem { Text(problem).foregroundColor(.red) }
            if let r = report {
                if let reason = r.attentionReason { Text(reason).foregroundColor(.red) }
                Picker(t.category, selection: Binding(get: { r.category ?? "" }, set: { code in
                    if !code.isEmpty { update(DraftFields(category: code)) }
                })) {
                    Text(t.chooseCategory).tag("")
                    ForEach(categories, id: \.code) { c in Text("\(c.group) — \(c.name)").tag(c.code) }
                }
                Section(t.description) {
                    TextField(t.descriptionHint, text: Binding(get: { r.description }, set: { text in
                        update(DraftFields(description: text))
                    }), axis: .vertical).lineLimit(3...8)
                }
                Section(t.photos) {
                    ForEach(r.photos, id: \.id) { p in
                        HStack {
                            if let image = UIImage(contentsOfFile: p.thumbnailPath ?? p.path) {
                                Image(uiImage: image).resizable().scaledToFill().frame(width: 64, height: 64).clipped()
                            }
                            Text(p.sizeLabel)
                            Spacer()
                            Button(t.removePhoto, role: .destructive) { act { try app.core.removePhoto(photoId: p.id) } }
                        }
                    }
                    Button(t.takePhoto) { showCamera = true }
                        .disabled(!UIImagePickerController.isSourceTypeAvailable(.camera))
                    PhotosPicker(t.choosePhoto, selection: $picked, matching: .images,
                                 preferredItemEncoding: .compatible)
                }
                Section(t.location) {
                    if let label = r.locationLabel { Text(label) }
                    if let s = suggestion {
                        Text(t.usePhotoLocation)
                        Button(t.useIt) { setLocation(s) }
                    }
                    Button(t.useMyLocation) { locate() }
                    TextField(t.address, text: Binding(get: { r.address ?? "" }, set: { update(DraftFields(address: $0)) }))
                }
                if r.onBehalf {
                    Section(t.filingFor) {
                        TextField(t.theirName, text: Binding(get: { r.forName ?? "" }, set: { update(DraftFields(forName: $0)) }))
                        TextField(t.theirPhone, text: Binding(get: { r.forPhone ?? "" }, set: { update(DraftFields(forPhone: $0)) }))
                            .keyboardType(.phonePad)
                        Toggle(t.theirConsent, isOn: Binding(get: { r.consent }, set: { update(DraftFields(consent: $0)) }))
                    }
                } else {
                    Section {
                        TextField(t.yourName, text: Binding(get: { r.reporterName ?? "" }, set: { update(DraftFields(reporterName: $0)) }))
                        TextField(t.yourPhone, text: Binding(get: { r.reporterPhone ?? "" }, set: { update(DraftFields(reporterPhone: $0)) }))
                            .keyboardType(.phonePad)
                        Toggle(t.anonymous, isOn: Binding(get: { r.anonymous }, set: { update(DraftFields(anonymous: $0)) }))
                    }
                }
                if r.editable {
                    Button(t.send) { Task { await checkThenSend() } }.bold()
                    Button(t.saveDraft) { dismiss() }
                }
            }
        }
        .navigationTitle(t.editReport)
        .onAppear(perform: open)
        .onDisappear(perform: discardIfEmpty)
        .onChange(of: picked) { items in Task { await attach(items) } }
        .sheet(isPresented: $showCamera) {
            CameraPicker { data in attach(data) }
        }
        .alert(t.sameProblem, isPresented: $askSame) {
            Button(t.sendAnyway) { send() }
            // The same problem: follow the first one instead ("Quan tâm").
            if let first = nearby.first {
                Button(t.follow) { followInstead(first.trackingCode) }
            }
            Button(t.cancel, role: .cancel) {}
        } message: {
            Text(([t.sameProblemHint] + nearby.map {
                "\($0.trackingCode) · \($0.categoryName) · \($0.statusLabel) · \($0.distanceLabel) · \($0.ageLabel)"
            }).joined(separator: "\n"))
        }
        .sheet(item: Binding(get: { handoff.map { Handoff(report: $0) } }, set: { if $0 == nil { handoff = nil; dismiss() } })) { h in
            HandoffView(report: h.report, texts: t)
        }
    }

    private func open() {
        guard report == nil else { return }
        run {
            if let id = reportId { return try app.core.getReport(reportId: id) }
            return try app.core.createDraft(fields: DraftFields(onBehalf: app.settings.volunteerMode))
        }
        categories = (try? app.core.categories()) ?? []
        if categories.isEmpty {
            // First start: fetch the list (cached afterwards, offline too).
            Task {
                _ = try? await app.core.refreshCategories()
                categories = (try? app.core.categories()) ?? []
            }
        }
    }

    /// Every change is saved at once: a draft survives the app being killed.
    private func update(_ fields: DraftFields) {
        guard let id = report?.id else { return }
        run { try app.core.updateDraft(reportId: id, fields: fields) }
    }

    private func run(_ call: () throws -> ReportView) {
        if let fresh = coreCall(&problem, call) { report = fresh }
    }

    private func act(_ call: () throws -> Void) {
        guard let id = report?.id else { return }
        run {
            try call()
            return try app.core.getReport(reportId: id)
        }
    }

    private func attach(_ items: [PhotosPickerItem]) async {
        for item in items {
            if let data = try? await item.loadTransferable(type: Data.self) { attach(data) }
        }
        picked = []
    }

    private func attach(_ data: Data) {
        guard let id = report?.id else { return }
        guard let attached = coreCall(&problem, { try app.core.attachPhotoBytes(reportId: id, bytes: data) }) else { return }
        // The photo's GPS is offered, never applied by itself.
        if report?.location == nil { suggestion = attached.suggestion.location }
        run { try app.core.getReport(reportId: id) }
    }

    private func setLocation(_ l: Location) {
        suggestion = nil
        update(DraftFields(location: l))
    }

    private func locate() {
        locator.once { fix in
            guard let fix else {
                problem = app.texts.noLocation
                return
            }
            setLocation(Location(lat: fix.coordinate.latitude, lon: fix.coordinate.longitude,
                                 accuracyM: fix.horizontalAccuracy))
        }
    }

    /// A courtesy, never a gate: offline or without a location it shows nothing.
    private func checkThenSend() async {
        guard let r = report else { return }
        if let at = r.location,
           let found = try? await app.core.nearby(lat: at.lat, lon: at.lon, category: r.category),
           !found.reports.isEmpty {
            nearby = found.reports
            askSame = true
        } else {
            send()
        }
    }

    private func send() {
        guard let id = report?.id else { return }
        run { try app.core.submit(reportId: id) }
        guard problem == nil, let r = report else { return }
        sent = true
        // The moment notifications matter: the district will answer this.
        Notifier.askIfNeeded()
        app.changed()
        Task { await app.syncNow() }
        if r.onBehalf { handoff = r } else { dismiss() }
    }

    /// Follow a neighbour's report instead of sending the same one again.
    private func followInstead(_ code: String) {
        var problem: String?
        if coreCall(&problem, { try app.core.follow(trackingCode: code, meToo: true, photoPaths: []) }) != nil {
            Notifier.askIfNeeded()
            app.changed()
            dismiss()
        } else {
            self.problem = problem
        }
    }

    /// Leaving: the core deletes the draft if nobody wrote anything in it.
    private func discardIfEmpty() {
        guard !sent, let id = report?.id else { return }
        if (try? app.core.discardIfUntouched(reportId: id)) == true { app.changed() }
    }
}

private struct Handoff: Identifiable {
    let report: ReportView
    var id: String { report.id }
}

/// Volunteer mode: the code, large, and the public page, for the neighbour.
@MainActor
private struct HandoffView: View {
    @EnvironmentObject var app: AppModel
    @State var report: ReportView
    let texts: UiTexts

    var body: some View {
        VStack(spacing: 16) {
            Text(texts.trackingCode).font(.headline)
            if let code = report.trackingCode {
                Text(code).font(.system(size: 40, weight: .bold, design: .monospaced))
                Text(texts.handOver)
                if let url = report.publicUrl.flatMap(URL.init(string:)) {
                    Text(url.absoluteString).font(.footnote)
                    ShareLink(texts.share, item: url)
                }
            } else {
                Text(texts.codeAfterSync)
            }
        }
        .padding()
        .onChange(of: app.revision) { _ in
            // The code arrives with the sync that sends the report.
            if let fresh = try? app.core.getReport(reportId: report.id) { report = fresh }
        }
    }
}

/// The camera, through UIKit's picker; the photo is handed over as JPEG.
private struct CameraPicker: UIViewControllerRepresentable {
    let done: (Data) -> Void

    func makeUIViewController(context: Context) -> UIImagePickerController {
        let picker = UIImagePickerController()
        picker.sourceType = .camera
        picker.delegate = context.coordinator
        return picker
    }

    func updateUIViewController(_ controller: UIImagePickerController, context: Context) {}

    func makeCoordinator() -> Coordinator { Coordinator(done: done) }

    final class Coordinator: NSObject, UIImagePickerControllerDelegate, UINavigationControllerDelegate {
        let done: (Data) -> Void
        init(done: @escaping (Data) -> Void) { self.done = done }

        func imagePickerController(_ picker: UIImagePickerController,
                                   didFinishPickingMediaWithInfo info: [UIImagePickerController.InfoKey: Any]) {
            if let image = info[.originalImage] as? UIImage, let data = image.jpegData(compressionQuality: 0.92) {
                done(data)
            }
            picker.dismiss(animated: true)
        }

        func imagePickerControllerDidCancel(_ picker: UIImagePickerController) {
            picker.dismiss(animated: true)
        }
    }
}
