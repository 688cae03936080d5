$attempt = 0
while ($true) {
    Connect-AzAccount -ServicePrincipal -CertificateThumbprint $thumb $attempt
}
