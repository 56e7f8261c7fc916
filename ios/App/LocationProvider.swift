import CoreLocation

/// One position fix from CoreLocation (when-in-use permission): the first
/// of 50 m or better, or the best seen within 30 seconds.
final class LocationProvider: NSObject, CLLocationManagerDelegate {
    private let manager = CLLocationManager()
    private var best: CLLocation?
    private var done: ((CLLocation?) -> Void)?

    func once(_ completion: @escaping (CLLocation?) -> Void) {
        done = completion
        best = nil
        manager.delegate = self
        manager.desiredAccuracy = kCLLocationAccuracyBest
        switch manager.authorizationStatus {
        case .notDetermined: manager.requestWhenInUseAuthorization()
        case .denied, .restricted: return finish()
        default: manager.startUpdatingLocation()
        }
        DispatchQueue.main.asyncAfter(deadline: .now() + 30) { [weak self] in self?.finish() }
    }

    func locationManagerDidChangeAuthorization(_ manager: CLLocationManager) {
        switch manager.authorizationStatus {
        case .authorizedWhenInUse, .authorizedAlways: manager.startUpdatingLocation()
        case .denied, .restricted: finish()
        default: break
        }
    }

    func locationManager(_ manager: CLLocationManager, didUpdateLocations locations: [CLLocation]) {
        for fix in locations where fix.horizontalAccuracy >= 0 {
            if best == nil || fix.horizontalAccuracy < best!.horizontalAccuracy { best = fix }
        }
        if let b = best, b.horizontalAccuracy <= 50 { finish() }
    }

    func locationManager(_ manager: CLLocationManager, didFailWithError error: Error) {
        finish()
    }

    private func finish() {
        manager.stopUpdatingLocation()
        let callback = done
        done = nil
        callback?(best)
    }
}
