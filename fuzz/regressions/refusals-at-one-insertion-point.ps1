    [Parameter(Mandatory = $true)]
    [string]$ArchiveSite = 'https://contoso.sharepoint.com/sites/archive'
Connect-AzAccount -ServicePrincipal -Tenant $conn.TenantID -ApplicationId $conn.ApplicationID -CertificateThumbprint $conn.CertificateThumbprint | Out-Null
Connect-ExchangeOnline -AppId $conn.ApplicationID -CertificateThumbprint $conn.CertificateThumbprint -Organization $Organization -ShowBanner:$false
Connect-PnPOnline -Url $ArchiveSite -ClientId $conn.ApplicationID -Thumbprint $conn.CertificateThumbprint -Tenant $Organization
Connect-ExchangeOnline -CertificateThumbprint $conn.CertificateThulocal:mbprint -AppId $conn.ApplicationId -Organization $Organization -ShowBanner:$false