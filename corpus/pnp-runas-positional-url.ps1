# expect: MI101 MI502
# why: PnP sign-in with the Run As certificate inside a loop over sites, the site given by position and the connection returned: the rewrite names -Url first, keeps -ReturnConnection and drops -ClientId/-Thumbprint/-Tenant.
param(
    [string[]]$SiteUrls = @('https://contoso.sharepoint.com/sites/hr', 'https://contoso.sharepoint.com/sites/finance'),
    [string]$Tenant = 'contoso.onmicrosoft.com'
)

$connection = Get-AutomationConnection -Name AzureRunAsConnection

foreach ($siteUrl in $SiteUrls) {
    $site = Connect-PnPOnline $siteUrl -ClientId $connection.ApplicationId -Thumbprint $connection.CertificateThumbprint -Tenant $Tenant -ReturnConnection
    $lists = Get-PnPList -Connection $site | Where-Object { -not $_.Hidden }
    foreach ($list in $lists) {
        Write-Output ("{0}`t{1}`t{2}" -f $siteUrl, $list.Title, $list.ItemCount)
    }
}
