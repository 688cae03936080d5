$conn = Get-AutomationConnection -Name AzureRunAsConnection
$exoParams = @{
    CertificateThumbprint = $conn.CertificateThumbprint
    AppId                 = $conn.ApplicationID
    Organization          = 'contoso.onmicrosoft.com'
    $conn                 = Get-Item -Path X Connect-ExchangeOnline @exoParams
}
Connect-ExchangeOnline @exoParams
